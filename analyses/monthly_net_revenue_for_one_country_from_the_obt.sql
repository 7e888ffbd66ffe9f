-- Net revenue by month for customers in the US, from the One Big Table: no join, every attribute is a column.

select
    month_start_date,
    {{ round_money('sum(net_amount)') }} as net_revenue
from {{ ref('obt_orders') }}
where is_revenue and customer_country_code = 'US'
group by month_start_date
order by month_start_date
