{{ config(
    materialized='incremental',
    incremental_strategy='append',
    indexes=[
        {'columns': ['order_store_hash_key'], 'unique': true},
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
        -- keys
        {{ vault_hash_key(['order_id', 'store_id']) }} as order_store_hash_key,
        {{ vault_hash_key(['order_id']) }} as order_hash_key,
        {{ vault_hash_key(['store_id']) }} as store_hash_key,

        -- audit
        {{ vault_load_date() }} as load_date,
        source_file_name as record_source

    from orders
    where store_id is not null

),

final as (

    select * from keyed
    {% if is_incremental() %}
        where not exists (
            select 1 from {{ this }} as known
            where known.order_store_hash_key = keyed.order_store_hash_key
        )
    {% endif %}

)

select * from final
