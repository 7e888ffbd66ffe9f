{#
    Third normal form: one row per known (non-guest) customer, in the latest state the orders show:
    the attributes of the customer's most recent winning submission (latest submitted_at, ties to the
    larger order_id) win as a whole, so an address never mixes an old city with a new postal code.
#}

with

orders as (

    select * from {{ ref('stg_orders_export__orders') }}

),

customer_versions as (

    select
        *,
        row_number() over (
            partition by customer_id
            order by submitted_at desc, order_id desc
        ) as recency
    from orders
    where customer_id is not null

),

final as (

    select
        -- ids
        customer_id,

        -- attributes
        customer_first_name as first_name,
        customer_last_name as last_name,
        customer_email as email,
        customer_city as city,
        customer_postal_code as postal_code,
        customer_country_code as country_code

    from customer_versions
    where recency = 1

)

select * from final
