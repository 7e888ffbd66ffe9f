{{ config(
    materialized='incremental',
    incremental_strategy='append',
    indexes=[
        {'columns': ['order_item_hash_key'], 'unique': true},
    ],
) }}

with

order_items as (

    select * from {{ ref('stg_orders_export__order_items') }}
    {% if is_incremental() %}
        where processed_at > {{ vault_watermark() }}
    {% endif %}

),

orders as (

    select * from {{ ref('stg_orders_export__orders') }}

),

keyed as (

    select
        -- keys
        {{ vault_hash_key(['order_items.order_id', 'order_items.line_number', 'order_items.sku']) }}
            as order_item_hash_key,
        {{ vault_hash_key(['order_items.order_id']) }} as order_hash_key,
        {{ vault_hash_key(['order_items.sku']) }} as item_hash_key,

        -- dependent child key
        order_items.line_number,

        -- audit
        {{ vault_load_date() }} as load_date,
        orders.source_file_name as record_source

    from order_items
    inner join orders
        on order_items.order_id = orders.order_id

),

final as (

    select * from keyed
    {% if is_incremental() %}
        where not exists (
            select 1 from {{ this }} as known
            where known.order_item_hash_key = keyed.order_item_hash_key
        )
    {% endif %}

)

select * from final
