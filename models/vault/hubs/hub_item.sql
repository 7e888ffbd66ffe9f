{{ config(
    materialized='incremental',
    incremental_strategy='append',
    indexes=[
        {'columns': ['item_hash_key'], 'unique': true},
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
        {{ vault_hash_key(['order_items.sku']) }} as item_hash_key,
        order_items.sku,
        orders.source_file_name,
        row_number() over (
            partition by {{ vault_hash_key(['order_items.sku']) }}
            order by
                orders.loaded_at asc,
                orders.source_file_name asc,
                order_items.order_id asc,
                order_items.line_number asc
        ) as appearance
    from order_items
    inner join orders
        on order_items.order_id = orders.order_id

),

final as (

    select
        -- keys
        item_hash_key,
        sku,

        -- audit
        {{ vault_load_date() }} as load_date,
        source_file_name as record_source

    from keyed
    where
        appearance = 1
        {% if is_incremental() %}
            and not exists (
                select 1 from {{ this }} as known
                where known.item_hash_key = keyed.item_hash_key
            )
        {% endif %}

)

select * from final
