{#
    Link between an order and the items on its lines: one row per order line ever seen, insert-only. An order can
    hold the same sku on two lines, so the line number is the link's dependent child key: the hash key is the MD5
    of (order_id, line_number, sku) as staged; the link carries the order's and the item's hub hash keys.
    A correction that changes a line's sku adds a link; the line's old link stays, and its satellite
    (sat_order_item) records that it was removed. load_date is when the vault first saw the line,
    record_source the export file of the row that brought it.
    Incremental: a run reads the staging lines processed since its last insert and adds the lines it has not seen.
#}

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
