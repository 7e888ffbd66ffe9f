{#- Merge, never delete: the fact's foreign key to dim_date holds throughout every build. -#}
{{ config(
    materialized='incremental',
    unique_key='date_key',
    incremental_strategy=target_incremental_strategy('merge'),
    on_schema_change='fail',
) }}

{%- set fiscal_year_start_month = var('fiscal_year_start_month') | int -%}
{%- if fiscal_year_start_month < 1 or fiscal_year_start_month > 12 -%}
    {{ exceptions.raise_compiler_error(
        "var('fiscal_year_start_month') must be a month number from 1 to 12, got "
        ~ var('fiscal_year_start_month')
    ) }}
{%- endif -%}
{#- Shifted forward, the first fiscal month lands on January: the calendar year is then the fiscal year. #}
{%- set fiscal_month_shift = (13 - fiscal_year_start_month) % 12 -%}
{%- set days_since_year_start = dbt.datediff('year_start_date', 'date_day', 'day') | trim %}

with

date_spine as (

    select * from {{ ref('int_date_spine') }}

),

date_parts as (

    select
        date_day,
        cast({{ dbt.date_trunc('year', 'date_day') }} as date) as year_start_date,
        cast({{ dbt.dateadd('month', fiscal_month_shift, 'date_day') }} as date) as fiscal_shifted_date,
        cast(extract(year from date_day) as {{ dbt.type_int() }}) as year_number,
        cast(extract(quarter from date_day) as {{ dbt.type_int() }}) as quarter_number,
        cast(extract(month from date_day) as {{ dbt.type_int() }}) as month_number,
        cast(extract(day from date_day) as {{ dbt.type_int() }}) as day_of_month,
        -- ISO 8601: weeks start on Monday (day 1); week 1 is the week holding the year's first Thursday
        cast({{ extract_date_part('isodow', 'date_day') }} as {{ dbt.type_int() }}) as iso_day_of_week,
        cast(extract(week from date_day) as {{ dbt.type_int() }}) as iso_week,
        cast({{ extract_date_part('isoyear', 'date_day') }} as {{ dbt.type_int() }}) as iso_year
    from date_spine

),

date_numbers as (

    select
        *,
        cast({{ days_since_year_start }} + 1 as {{ dbt.type_int() }}) as day_of_year,
        cast(extract(year from fiscal_shifted_date) as {{ dbt.type_int() }}) as fiscal_year,
        cast(extract(quarter from fiscal_shifted_date) as {{ dbt.type_int() }}) as fiscal_quarter
    from date_parts

),

final as (

    select
        -- keys
        cast(year_number * 10000 + month_number * 100 + day_of_month as {{ dbt.type_int() }}) as date_key,
        date_day,

        -- names
        case iso_day_of_week
            when 1 then 'Monday'
            when 2 then 'Tuesday'
            when 3 then 'Wednesday'
            when 4 then 'Thursday'
            when 5 then 'Friday'
            when 6 then 'Saturday'
            when 7 then 'Sunday'
        end as day_of_week_name,
        case iso_day_of_week
            when 1 then 'Mon'
            when 2 then 'Tue'
            when 3 then 'Wed'
            when 4 then 'Thu'
            when 5 then 'Fri'
            when 6 then 'Sat'
            when 7 then 'Sun'
        end as day_of_week_short_name,
        case month_number
            when 1 then 'January'
            when 2 then 'February'
            when 3 then 'March'
            when 4 then 'April'
            when 5 then 'May'
            when 6 then 'June'
            when 7 then 'July'
            when 8 then 'August'
            when 9 then 'September'
            when 10 then 'October'
            when 11 then 'November'
            when 12 then 'December'
        end as month_name,
        case month_number
            when 1 then 'Jan'
            when 2 then 'Feb'
            when 3 then 'Mar'
            when 4 then 'Apr'
            when 5 then 'May'
            when 6 then 'Jun'
            when 7 then 'Jul'
            when 8 then 'Aug'
            when 9 then 'Sep'
            when 10 then 'Oct'
            when 11 then 'Nov'
            when 12 then 'Dec'
        end as month_short_name,
        {{ dbt.concat([
            dbt.cast('year_number', dbt.type_string()),
            "'-Q'",
            dbt.cast('quarter_number', dbt.type_string()),
        ]) }} as year_quarter,

        -- day, week, month, quarter and year numbers
        iso_day_of_week,
        day_of_month,
        day_of_year,
        iso_week,
        iso_year,
        month_number,
        quarter_number,
        year_number,
        fiscal_year,
        fiscal_quarter,

        -- flags
        iso_day_of_week <= 5 as is_weekday,
        iso_day_of_week >= 6 as is_weekend,
        date_day = {{ dbt.last_day('date_day', 'month') }} as is_last_day_of_month,

        -- related dates
        cast({{ dbt.dateadd('day', '1 - iso_day_of_week', 'date_day') }} as date) as week_start_date,
        cast({{ dbt.dateadd('day', '7 - iso_day_of_week', 'date_day') }} as date) as week_end_date,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start_date,
        {{ dbt.last_day('date_day', 'month') }} as month_end_date,
        -- the same day one year earlier; February 29 becomes February 28
        cast({{ dbt.dateadd('year', -1, 'date_day') }} as date) as prior_year_date_day

    from date_numbers

)

select * from final
