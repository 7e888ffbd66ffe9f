{{ config(
    materialized='incremental',
    unique_key='order_id',
    incremental_strategy=target_incremental_strategy('delete+insert'),
    indexes=[
        {'columns': ['order_id', 'line_number'], 'unique': true},
        {'columns': ['processed_at']},
    ],
) }}

with

order_items as (

    select * from {{ ref('int_order_items') }}

),

orders as (

    select * from {{ ref('int_orders') }}
    {% if is_incremental() %}
        where processed_at > {{ processed_at_watermark() }}
    {% endif %}

),

priced as (

    select
        -- ids
        order_items.order_id,
        order_items.line_number,
        order_items.sku,
        orders.customer_id,
        orders.store_id,

        -- order attributes
        orders.order_status,

        -- numbers
        order_items.quantity,
        order_items.unit_price,
        orders.tax_rate,
        {{ net_unit_price('order_items.unit_price', 'orders.tax_rate', 'orders.prices_include_tax') }}
            as net_unit_price,
        {{ line_net_amount(
            'order_items.quantity', 'order_items.unit_price', 'orders.tax_rate', 'orders.prices_include_tax'
        ) }} as net_amount,
        {{ line_gross_amount(
            'order_items.quantity', 'order_items.unit_price', 'orders.tax_rate', 'orders.prices_include_tax'
        ) }} as gross_amount,
        orders.fulfillment_seconds,

        -- booleans
        orders.prices_include_tax,
        {{ is_revenue_order_status('orders.order_status') }} as is_revenue,

        -- dates and timestamps
        orders.order_date,
        orders.submitted_at

    from order_items
    inner join orders
        on order_items.order_id = orders.order_id

),

final as (

    select
        order_id,
        line_number,
        sku,
        customer_id,
        store_id,
        order_status,
        quantity,
        unit_price,
        tax_rate,
        net_unit_price,
        net_amount,
        gross_amount - net_amount as tax_amount,
        gross_amount,
        fulfillment_seconds,
        prices_include_tax,
        is_revenue,
        order_date,
        submitted_at,
        {{ processed_at() }} as processed_at
    from priced

)

select * from final
