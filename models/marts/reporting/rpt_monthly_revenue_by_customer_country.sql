-- depends_on: {{ ref('int_order_version_items_priced') }}
-- depends_on: {{ ref('dim_items') }}
-- depends_on: {{ ref('dim_customers') }}
{{ config(
    materialized='incremental',
    unique_key='monthly_revenue_key',
    incremental_strategy=target_incremental_strategy('delete+insert'),
    on_schema_change='append_new_columns',
    pre_hook="{{ delete_monthly_revenue_changed_groups() }}",
    indexes=[
        {'columns': ['customer_country_code', 'month_start_date']},
        {'columns': ['processed_at']},
    ],
) }}

{%- set changes = revenue_summary_changes(customers=true) %}
{%- set recomputes_changed_groups = recomputes_changed_groups(changes) %}

with

{% if recomputes_changed_groups %}
    changed_groups as (

        {{ monthly_revenue_changed_groups(changes) }}

    ),
{% endif %}

order_items as (

    select * from {{ ref('int_order_items_priced') }}
    {% if recomputes_changed_groups %}
        -- a plain comparison first, cheap on every line of the scan; the months' own test below
        where order_date >= (select min(changed_groups.month_start_date) from changed_groups)
    {% endif %}

),

items as (

    select * from {{ ref('int_items') }}

),

customers as (

    select * from {{ ref('int_customers') }}

),

revenue_lines as (

    select
        customers.country_code as customer_country_code,
        {{ label_missing('items.category') }} as category,
        order_items.order_id,
        order_items.quantity,
        order_items.net_amount,
        order_items.tax_amount,
        order_items.gross_amount,
        cast({{ dbt.date_trunc('month', 'order_items.order_date') }} as date) as month_start_date
    from order_items
    inner join items
        on order_items.sku = items.sku
    left join customers
        on order_items.customer_id = customers.customer_id
    where
        order_items.is_revenue
        {% if recomputes_changed_groups %}
            and cast({{ dbt.date_trunc('month', 'order_items.order_date') }} as date)
            in (select changed_groups.month_start_date from changed_groups)
        {% endif %}

),

group_totals as (

    select
        {{ generate_surrogate_key(['month_start_date', 'customer_country_code', 'category']) }}
            as monthly_revenue_key,
        customer_country_code,
        category,
        count(distinct order_id) as order_count,
        count(*) as order_line_count,
        cast(sum(quantity) as {{ dbt.type_bigint() }}) as quantity,
        sum(net_amount) as net_revenue,
        sum(tax_amount) as tax_amount,
        sum(gross_amount) as gross_revenue,
        month_start_date,
        {{ processed_at() }} as processed_at
    from revenue_lines
    group by month_start_date, customer_country_code, category

),

final as (

    select * from group_totals
    {% if recomputes_changed_groups %}
        where monthly_revenue_key in (select changed_groups.monthly_revenue_key from changed_groups)
    {% endif %}

)

select * from final
