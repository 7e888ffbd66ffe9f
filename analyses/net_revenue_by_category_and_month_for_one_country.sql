-- Net revenue by month and item category for customers in the US: the question the README answers.

select
    dates.month_start_date,
    items.category,
    {{ round_money('sum(fact.net_amount)') }} as net_revenue
from {{ ref('fct_order_items') }} as fact
inner join {{ ref('dim_date') }} as dates
    on fact.order_date = dates.date_day
inner join {{ ref('dim_items') }} as items
    on fact.item_key = items.item_key
inner join {{ ref('dim_customers') }} as customers
    on fact.customer_key = customers.customer_key
where
    fact.is_revenue
    and customers.country_code = 'US'
group by dates.month_start_date, items.category
order by dates.month_start_date, items.category
