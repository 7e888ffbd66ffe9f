-- The textbook star-schema question: total sales (net revenue) per item category for customers in one
-- country, from the monthly summary (the same figures as the fact joined to dim_items and dim_customers).
-- Change the country code to taste. Cancelled orders are not revenue.

select
    category,
    {{ round_money('sum(net_revenue)') }} as net_revenue,
    sum(quantity) as units_sold
from {{ ref('rpt_monthly_revenue_by_customer_country') }}
where customer_country_code = 'US'
group by category
order by net_revenue desc
