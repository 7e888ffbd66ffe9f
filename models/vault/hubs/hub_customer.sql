{{ config(
    materialized='incremental',
    incremental_strategy='append',
    indexes=[
        {'columns': ['customer_hash_key'], 'unique': true},
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
        {{ vault_hash_key(['customer_id']) }} as customer_hash_key,
        customer_id,
        source_file_name,
        row_number() over (
            partition by {{ vault_hash_key(['customer_id']) }}
            order by loaded_at asc, source_file_name asc, order_id asc
        ) as appearance
    from orders
    where customer_id is not null

),

final as (

    select
        -- keys
        customer_hash_key,
        customer_id,

        -- audit
        {{ vault_load_date() }} as load_date,
        source_file_name as record_source

    from keyed
    where
        appearance = 1
        {% if is_incremental() %}
            and not exists (
                select 1 from {{ this }} as known
                where known.customer_hash_key = keyed.customer_hash_key
            )
        {% endif %}

)

select * from final
