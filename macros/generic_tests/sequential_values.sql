{# dbt-utils' sequential_values, without the package. #}
{% test sequential_values(model, column_name, interval=1, datepart=none, group_by_columns=[]) %}
    {{ return(adapter.dispatch('test_sequential_values', 'orders_warehouse')(
        model, column_name, interval, datepart, group_by_columns
    )) }}
{% endtest %}

{%- macro default__test_sequential_values(model, column_name, interval=1, datepart=none, group_by_columns=[]) -%}
    {%- set previous_column_name = 'previous_' ~ modules.re.sub('[^a-z0-9_]+', '_', column_name | lower) -%}
    {%- if group_by_columns | length > 0 -%}
        {%- set select_group_by_columns = group_by_columns | join(', ') ~ ',' -%}
        {%- set partition_by_clause = 'partition by ' ~ group_by_columns | join(', ') -%}
    {%- else -%}
        {%- set select_group_by_columns = '' -%}
        {%- set partition_by_clause = '' -%}
    {%- endif %}

with

windowed as (

    select
        {{ select_group_by_columns }}
        {{ column_name }},
        lag({{ column_name }}) over (
            {{ partition_by_clause }}
            order by {{ column_name }}
        ) as {{ previous_column_name }}
    from {{ model }}

),

validation_errors as (

    select *
    from windowed
    {%- if datepart %}
    where not (
        cast({{ column_name }} as {{ dbt.type_timestamp() }})
        = cast({{ dbt.dateadd(datepart, interval, previous_column_name) }} as {{ dbt.type_timestamp() }})
    )
    {%- else %}
    where not ({{ column_name }} = {{ previous_column_name }} + {{ interval }})
    {%- endif %}

)

select * from validation_errors

{%- endmacro -%}
