-- depends_on: {{ ref('int_order_version_items_priced') }}
-- depends_on: {{ ref('dim_items') }}
{{ config(
    materialized='incremental',
    unique_key='daily_revenue_key',
    incremental_strategy=target_incremental_strategy('delete+insert'),
    on_schema_change='append_new_columns',
    pre_hook="{{ delete_daily_revenue_changed_groups() }}",
    indexes=[
        {'columns': ['order_date']},
        {'columns': ['processed_at']},
    ],
) }}

{%- set changes = revenue_summary_changes() %}
{%- set recomputes_changed_groups = recomputes_changed_groups(changes) %}

with

{% if recomputes_changed_groups %}
    changed_groups as (

        {{ daily_revenue_changed_groups(changes) }}

    ),
{% endif %}

order_items as (

    select * from {{ ref('int_order_items_priced') }}
    {% if recomputes_changed_groups %}
        -- a plain comparison first, cheap on every line of the scan; then the days themselves
        where
            order_date >= (select min(changed_groups.order_date) from changed_groups)
            and order_date in (select changed_groups.order_date from changed_groups)
    {% endif %}

),

items as (

    select * from {{ ref('int_items') }}

),

revenue_lines as (

    select
        order_items.order_date,
        order_items.store_id,
        {{ label_missing('items.category') }} as category,
        order_items.order_id,
        order_items.quantity,
        order_items.net_amount,
        order_items.tax_amount,
        order_items.gross_amount
    from order_items
    inner join items
        on order_items.sku = items.sku
    where order_items.is_revenue

),

group_totals as (

    select
        {{ generate_surrogate_key(['order_date', 'store_id', 'category']) }} as daily_revenue_key,
        {{ generate_surrogate_key(['store_id']) }} as store_key,
        store_id,
        category,
        count(distinct order_id) as order_count,
        count(*) as order_line_count,
        cast(sum(quantity) as {{ dbt.type_bigint() }}) as quantity,
        sum(net_amount) as net_revenue,
        sum(tax_amount) as tax_amount,
        sum(gross_amount) as gross_revenue,
        order_date,
        {{ processed_at() }} as processed_at
    from revenue_lines
    group by order_date, store_id, category

),

final as (

    select group_totals.* from group_totals
    {% if recomputes_changed_groups %}
        where exists (
            select 1 from changed_groups
            where
                changed_groups.order_date = group_totals.order_date
                and changed_groups.category = group_totals.category
                and (changed_groups.store_id is null or changed_groups.store_id = group_totals.store_id)
        )
    {% endif %}

)

select * from final
