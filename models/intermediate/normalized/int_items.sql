{#
    Third normal form: one row per item (sku) with its name, brand and category, in the latest state
    the order lines show (latest submitted_at, then order_id and line_number, win). Prices are not an
    item attribute: they belong to the order line (int_order_items).
#}

with

order_items as (

    select * from {{ ref('stg_orders_export__order_items') }}

),

item_versions as (

    select
        *,
        row_number() over (
            partition by sku
            order by submitted_at desc, order_id desc, line_number desc
        ) as recency
    from order_items

),

final as (

    select
        -- ids
        sku,

        -- attributes
        item_name,
        item_brand as brand,
        item_category as category

    from item_versions
    where recency = 1

)

select * from final
