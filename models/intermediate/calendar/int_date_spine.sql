{# The bounds reach dbt.date_spine as literal dates: the SQL does not read int_orders, the ref only orders the build. #}
-- depends_on: {{ ref('int_orders') }}

{%- set spine_bounds = get_date_spine_bounds(
    ref('int_orders'), 'order_date', var('date_dimension_margin_years')
) -%}

{#- dbt.date_spine stops before its end date: pass the day after the last day of the calendar. #}
{%- set spine_start_date = "cast('" ~ spine_bounds.start_date ~ "' as date)" -%}
{%- set spine_last_date = "cast('" ~ spine_bounds.end_date ~ "' as date)" -%}
{%- set spine_end_date = dbt.dateadd('day', 1, spine_last_date) %}

with

date_spine as (

    {{ dbt.date_spine('day', spine_start_date, spine_end_date) }}

),

final as (

    select cast(date_day as date) as date_day
    from date_spine
    where date_day <= {{ spine_last_date }}

)

select * from final
