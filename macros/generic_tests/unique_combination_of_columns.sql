{# dbt-utils' unique_combination_of_columns, without the package. #}
{% test unique_combination_of_columns(model, combination_of_columns, quote_columns=false) %}
    {{ return(adapter.dispatch('test_unique_combination_of_columns', 'orders_warehouse')(
        model, combination_of_columns, quote_columns
    )) }}
{% endtest %}

{%- macro default__test_unique_combination_of_columns(model, combination_of_columns, quote_columns=false) -%}
    {%- if combination_of_columns is string -%}
        {%- set combination_of_columns = [combination_of_columns] -%}
    {%- endif -%}
    {%- if quote_columns -%}
        {%- set column_list = [] -%}
        {%- for column in combination_of_columns -%}
            {%- do column_list.append(adapter.quote(column)) -%}
        {%- endfor -%}
    {%- else -%}
        {%- set column_list = combination_of_columns -%}
    {%- endif -%}
    {%- set columns_csv = column_list | join(', ') %}

with

validation_errors as (

    select
        {{ columns_csv }},
        count(*) as row_count
    from {{ model }}
    group by {{ columns_csv }}
    having count(*) > 1

)

select * from validation_errors

{%- endmacro -%}
