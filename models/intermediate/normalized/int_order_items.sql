{#
    Third normal form: one row per order line (order_id, line_number). The item's descriptive attributes
    depend on the sku alone and live in int_items; the price belongs to the line.
#}

with

order_items as (

    select * from {{ ref('stg_orders_export__order_items') }}

),

final as (

    select
        -- ids
        order_id,
        line_number,
        sku,

        -- numbers
        quantity,
        unit_price

    from order_items

)

select * from final
