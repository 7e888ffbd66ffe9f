-- depends_on: {{ ref('int_order_items_priced') }}
{%- set narrowed = reconciliation_is_narrowed(ref('fct_order_items')) %}

with

{% if narrowed %}
    touched_days as (

        select distinct fact.order_date from {{ ref('fct_order_items') }} as fact
        where {{ stamped_by_this_build('fact.processed_at') }}
        union
        select distinct priced.order_date from {{ ref('int_order_items_priced') }} as priced
        where {{ stamped_by_this_build('priced.processed_at') }}

    ),
{% endif %}

fact_days as (

    select
        order_date,
        count(*) as order_line_count,
        sum(quantity) as quantity,
        sum(net_amount) as net_revenue,
        sum(gross_amount) as gross_revenue
    from {{ ref('fct_order_items') }}
    where is_revenue
    {% if narrowed %}
        and order_date in (select touched_days.order_date from touched_days)
    {% endif %}
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
    {% if narrowed %}
        where order_date in (select touched_days.order_date from touched_days)
    {% endif %}
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
