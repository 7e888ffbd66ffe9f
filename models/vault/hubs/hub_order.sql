{{ config(
    materialized='incremental',
    incremental_strategy='append',
    indexes=[
        {'columns': ['order_hash_key'], 'unique': true},
    ],
) }}

with

orders as (

    select * from {{ ref('stg_orders_export__orders') }}
    {% if is_incremental() %}
        where processed_at > {{ vault_watermark() }}
    {% endif %}

),

keyed as (

    select
        {{ vault_hash_key(['order_id']) }} as order_hash_key,
        order_id,
        source_file_name
    from orders

),

final as (

    select
        -- keys
        order_hash_key,
        order_id,

        -- audit
        {{ vault_load_date() }} as load_date,
        source_file_name as record_source

    from keyed
    {% if is_incremental() %}
        where not exists (
            select 1 from {{ this }} as known
            where known.order_hash_key = keyed.order_hash_key
        )
    {% endif %}

)

select * from final
