{#
    rpt_daily_revenue holds exactly the fact's revenue: per day, the summary's net and gross revenue, units
    and lines equal the fact's revenue lines (every status but cancelled). Returns each day that differs.
#}

with

fact_days as (

    select
        order_date,
        count(*) as order_line_count,
        sum(quantity) as quantity,
        sum(net_amount) as net_revenue,
        sum(gross_amount) as gross_revenue
    from {{ ref('fct_order_items') }}
    where is_revenue
    group by order_date

),

summary_days as (

    select
        order_date,
        sum(order_line_count) as order_line_count,
        sum(quantity) as quantity,
        sum(net_revenue) as net_revenue,
        sum(gross_revenue) as gross_revenue
    from {{ ref('rpt_daily_revenue') }}
    group by order_date

)

select
    coalesce(fact_days.order_date, summary_days.order_date) as order_date,
    fact_days.order_line_count as fact_line_count,
    summary_days.order_line_count as summary_line_count,
    fact_days.net_revenue as fact_net_revenue,
    summary_days.net_revenue as summary_net_revenue
from fact_days
full outer join summary_days
    on fact_days.order_date = summary_days.order_date
where
    fact_days.order_date is null
    or summary_days.order_date is null
    or fact_days.order_line_count != summary_days.order_line_count
    or fact_days.quantity != summary_days.quantity
    or fact_days.net_revenue != summary_days.net_revenue
    or fact_days.gross_revenue != summary_days.gross_revenue
