{#
    Third normal form: one row per order, holding only what depends on the order itself. Customer and
    store attributes live in int_customers and int_stores (reached through customer_id and store_id);
    order lines live in int_order_items.
#}

with

orders as (

    select * from {{ ref('stg_orders_export__orders') }}

),

final as (

    select
        -- ids
        order_id,
        submission_id,
        customer_id,
        store_id,

        -- attributes
        order_status,
        currency_code,
        tax_rate,
        fulfillment_seconds,
        prices_include_tax,
        is_guest_order,
        order_date,
        submitted_at

    from orders

)

select * from final
