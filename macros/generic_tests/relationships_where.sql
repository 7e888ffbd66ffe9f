{# dbt-utils' relationships_where; '1=1' is true on every warehouse, even one without a boolean type. #}
{% test relationships_where(model, column_name, to, field, from_condition='1=1', to_condition='1=1') %}
    {{ return(adapter.dispatch('test_relationships_where', 'orders_warehouse')(
        model, column_name, to, field, from_condition, to_condition
    )) }}
{% endtest %}

{%- macro default__test_relationships_where(model, column_name, to, field, from_condition='1=1', to_condition='1=1') %}

with

child_values as (

    select {{ column_name }} as child_value
    from {{ model }}
    where {{ column_name }} is not null
        and {{ from_condition }}

),

parent_values as (

    select {{ field }} as parent_value
    from {{ to }}
    where {{ field }} is not null
        and {{ to_condition }}

),

validation_errors as (

    select
        child_values.child_value,
        parent_values.parent_value
    from child_values
    left join parent_values
        on child_values.child_value = parent_values.parent_value
    where parent_values.parent_value is null

)

select * from validation_errors

{%- endmacro -%}
