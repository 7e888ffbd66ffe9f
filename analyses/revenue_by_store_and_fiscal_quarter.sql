-- Orders and revenue per store and fiscal quarter, from the fact. Not from rpt_daily_revenue: its order_count is
-- per category, and an order with lines in two categories would count twice in the quarter's sum.

select
    stores.store_name,
    dates.fiscal_year,
    dates.fiscal_quarter,
    count(distinct fact.order_id) as orders,
    {{ round_money('sum(fact.net_amount)') }} as net_revenue,
    {{ round_money('sum(fact.gross_amount)') }} as gross_revenue
from {{ ref('fct_order_items') }} as fact
inner join {{ ref('dim_stores') }} as stores
    on fact.store_key = stores.store_key
inner join {{ ref('dim_date') }} as dates
    on fact.order_date = dates.date_day
where fact.is_revenue
group by stores.store_name, dates.fiscal_year, dates.fiscal_quarter
order by stores.store_name, dates.fiscal_year, dates.fiscal_quarter
