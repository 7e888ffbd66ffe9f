-- Revenue per store and fiscal quarter, from the daily summary (no scan of the fact needed).

select
    stores.store_name,
    dates.fiscal_year,
    dates.fiscal_quarter,
    sum(daily.order_count) as orders,
    {{ round_money('sum(daily.net_revenue)') }} as net_revenue,
    {{ round_money('sum(daily.gross_revenue)') }} as gross_revenue
from {{ ref('rpt_daily_revenue') }} as daily
inner join {{ ref('dim_stores') }} as stores
    on daily.store_key = stores.store_key
inner join {{ ref('dim_date') }} as dates
    on daily.order_date = dates.date_day
group by stores.store_name, dates.fiscal_year, dates.fiscal_quarter
order by stores.store_name, dates.fiscal_year, dates.fiscal_quarter
