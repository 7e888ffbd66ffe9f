-- depends_on: {{ ref('int_order_items_priced') }}
{%- set narrowed = reconciliation_is_narrowed(ref('fct_order_items')) %}

with

{% if narrowed %}
    touched_months as (

        select distinct cast({{ dbt.date_trunc('month', 'fact.order_date') }} as date) as month_start_date
        from {{ ref('fct_order_items') }} as fact
        where {{ stamped_by_this_build('fact.processed_at') }}
        union
        select distinct cast({{ dbt.date_trunc('month', 'priced.order_date') }} as date) as month_start_date
        from {{ ref('int_order_items_priced') }} as priced
        where {{ stamped_by_this_build('priced.processed_at') }}

    ),
{% endif %}

star_groups as (

    select
        dates.month_start_date,
        customers.country_code as customer_country_code,
        items.category,
        count(distinct fact.order_id) as order_count,
        count(*) as order_line_count,
        sum(fact.quantity) as quantity,
        sum(fact.net_amount) as net_revenue,
        sum(fact.gross_amount) as gross_revenue
    from {{ ref('fct_order_items') }} as fact
    inner join {{ ref('dim_date') }} as dates
        on fact.order_date = dates.date_day
    inner join {{ ref('dim_items') }} as items
        on fact.item_key = items.item_key
    inner join {{ ref('dim_customers') }} as customers
        on fact.customer_key = customers.customer_key
    where fact.is_revenue
    {% if narrowed %}
        and dates.month_start_date in (select touched_months.month_start_date from touched_months)
    {% endif %}
    group by dates.month_start_date, customers.country_code, items.category

),

summary_groups as (

    select * from {{ ref('rpt_monthly_revenue_by_customer_country') }}
    {% if narrowed %}
        where month_start_date in (select touched_months.month_start_date from touched_months)
    {% endif %}

)

select
    coalesce(star_groups.month_start_date, summary_groups.month_start_date) as month_start_date,
    coalesce(star_groups.customer_country_code, summary_groups.customer_country_code) as customer_country_code,
    coalesce(star_groups.category, summary_groups.category) as category,
    star_groups.net_revenue as star_net_revenue,
    summary_groups.net_revenue as summary_net_revenue
from star_groups
full outer join summary_groups
    on
        star_groups.month_start_date = summary_groups.month_start_date
        and star_groups.customer_country_code is not distinct from summary_groups.customer_country_code
        and star_groups.category = summary_groups.category
where
    star_groups.month_start_date is null
    or summary_groups.month_start_date is null
    or star_groups.order_count != summary_groups.order_count
    or star_groups.order_line_count != summary_groups.order_line_count
    or star_groups.quantity != summary_groups.quantity
    or star_groups.net_revenue != summary_groups.net_revenue
    or star_groups.gross_revenue != summary_groups.gross_revenue
