{# dbt-utils' accepted_range, without the package. #}
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}
    {{ return(adapter.dispatch('test_accepted_range', 'orders_warehouse')(
        model, column_name, min_value, max_value, inclusive
    )) }}
{% endtest %}

{%- macro default__test_accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) -%}
    {%- if min_value is none and max_value is none -%}
        {{ exceptions.raise_compiler_error(
            "accepted_range on " ~ model ~ "." ~ column_name ~ " needs min_value, max_value or both"
        ) }}
    {%- endif -%}
    {%- set or_equal = '=' if inclusive else '' %}

with

validation_errors as (

    select *
    from {{ model }}
    where
        1 = 2
        {%- if min_value is not none %}
        or not ({{ column_name }} >{{ or_equal }} {{ min_value }})
        {%- endif %}
        {%- if max_value is not none %}
        or not ({{ column_name }} <{{ or_equal }} {{ max_value }})
        {%- endif %}

)

select * from validation_errors

{%- endmacro -%}
