-- Net revenue by month for customers in the US, from the star schema: the fact joined to two dimensions.
-- The same question from the Data Vault and from the One Big Table is in the two analyses beside this one;
-- all three give the same figures (docs/architecture.md: Three ways to model the same orders).

select
    dates.month_start_date,
    {{ round_money('sum(fact.net_amount)') }} as net_revenue
from {{ ref('fct_order_items') }} as fact
inner join {{ ref('dim_date') }} as dates
    on fact.order_date = dates.date_day
inner join {{ ref('dim_customers') }} as customers
    on fact.customer_key = customers.customer_key
where fact.is_revenue and customers.country_code = 'US'
group by dates.month_start_date
order by dates.month_start_date
