{#
    The as-of dates of the churn feature table: every period start (var('churn_as_of_frequency'): 'month'
    for the first day of each month, 'week' for each Monday) after the first order date, up to and including
    the last order date. The days come from the date spine; the bounds from the orders.
#}

{%- set frequency = var('churn_as_of_frequency') -%}
{%- if frequency not in ['month', 'week'] -%}
    {{ exceptions.raise_compiler_error(
        "var('churn_as_of_frequency') must be 'month' or 'week', not '" ~ frequency ~ "'"
    ) }}
{%- endif %}

with

date_spine as (

    select * from {{ ref('int_date_spine') }}

),

orders as (

    select * from {{ ref('int_orders') }}

),

order_date_bounds as (

    select
        min(order_date) as first_order_date,
        max(order_date) as last_order_date
    from orders

),

final as (

    select date_spine.date_day as as_of_date
    from date_spine
    cross join order_date_bounds
    where
        date_spine.date_day = cast({{ dbt.date_trunc(frequency, 'date_spine.date_day') }} as date)
        and date_spine.date_day > order_date_bounds.first_order_date
        and date_spine.date_day <= order_date_bounds.last_order_date

)

select * from final
