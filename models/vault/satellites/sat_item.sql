{#
    Satellite of hub_item: the item's name, brand and category, one row per version, insert-only. A run computes
    each touched item's current state from the staging lines (the most recent line showing the sku: latest
    submitted_at, then order_id and line_number, as the 3NF int_items does) and inserts it only when its hash diff
    differs from the item's latest row. effective_from is when the version began in business time (the submission of
    the first order of the latest run of orders showing it, UTC), load_date when the vault recorded it.
    Incremental: a run recomputes the items on the lines processed since its last insert.
#}

{{ config(
    materialized='incremental',
    incremental_strategy='append',
    indexes=[
        {'columns': ['item_hash_key', 'load_date'], 'unique': true},
    ],
) }}

with

order_items as (

    select * from {{ ref('stg_orders_export__order_items') }}

),

orders as (

    select * from {{ ref('stg_orders_export__orders') }}

),

item_lines as (

    select
        order_items.*,
        orders.source_file_name,
        -- an order holding the sku on two lines shows it once: its last line (as int_items breaks ties)
        row_number() over (
            partition by order_items.sku, order_items.order_id
            order by order_items.line_number desc
        ) as line_recency
    from order_items
    inner join orders
        on order_items.order_id = orders.order_id
    {% if is_incremental() %}
        where order_items.sku in (
            select changed.sku from order_items as changed
            where changed.processed_at > {{ vault_watermark() }}
        )
    {% endif %}

),

item_orders as (

    select * from item_lines
    where line_recency = 1

),

latest_versions as (

    {{ latest_attribute_versions('item_orders', 'sku', ['item_name', 'item_brand', 'item_category']) }}

),

staged as (

    select
        -- keys
        {{ vault_hash_key(['sku']) }} as item_hash_key,
        {{ vault_load_date() }} as load_date,
        attributes_hash as hash_diff,

        -- attributes
        item_name,
        item_brand as brand,
        item_category as category,

        -- business time and audit
        attributes_since as effective_from,
        source_file_name as record_source

    from latest_versions
    where recency = 1

),

final as (

    {{ vault_satellite_changes('staged', 'item_hash_key', restarted_versions=true) }}

)

select * from final
