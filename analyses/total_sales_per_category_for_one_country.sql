-- The textbook star-schema query: total sales (net revenue) per item category for customers in one
-- country. Change the country code to taste. Cancelled orders are not revenue.

select
    items.category,
    sum(fact.net_amount) as net_revenue,
    sum(fact.quantity) as units_sold
from {{ ref('fct_order_items') }} as fact
inner join {{ ref('dim_items') }} as items
    on fact.item_key = items.item_key
inner join {{ ref('dim_customers') }} as customers
    on fact.customer_key = customers.customer_key
where
    fact.is_revenue
    and customers.country_code = 'US'
group by items.category
order by net_revenue desc
