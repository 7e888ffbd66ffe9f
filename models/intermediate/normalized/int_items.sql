{#
    Third normal form: one row per item (sku) with its name, brand and category, in the latest state
    the order lines show (latest submitted_at, then order_id and line_number, win). Prices are not an
    item attribute: they belong to the order line (int_order_items).
    Incremental: a run recomputes the items on the order lines judged again since its last run.
#}

{{ config(
    materialized='incremental',
    unique_key='sku',
    incremental_strategy=target_incremental_strategy('delete+insert'),
    indexes=[
        {'columns': ['sku'], 'unique': true},
    ],
) }}

with

order_items as (

    select * from {{ ref('stg_orders_export__order_items') }}

),

item_lines as (

    select * from order_items
    {% if is_incremental() %}
        where sku in (
            select changed.sku from order_items as changed
            where changed.processed_at > {{ processed_at_watermark() }}
        )
    {% endif %}

),

item_versions as (

    select
        *,
        row_number() over (
            partition by sku
            order by submitted_at desc, order_id desc, line_number desc
        ) as recency
    from item_lines

),

final as (

    select
        -- ids
        sku,

        -- attributes
        item_name,
        item_brand as brand,
        item_category as category,

        -- lineage
        {{ processed_at() }} as processed_at

    from item_versions
    where recency = 1

)

select * from final
