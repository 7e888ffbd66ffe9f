{#
    The running sums and extremes of each customer's time line read at the rows of `at_rows` (customer_id,
    as_of_date), one row each: `events` maps a relation of changes (customer_id, event_date and the columns) to
    its columns; a column is summed, or with `extremes` (column -> 'min' or 'max') taken as a running min or max.
    Every change on or before the as-of date counts (a change dated on an as-of date is met before it).
#}
{%- macro running_sums_at(at_rows, events, extremes) -%}
    {%- set columns = [] -%}
    {%- for relation_columns in events.values() %}{% do columns.extend(relation_columns) %}{% endfor -%}
    with time_line as (
        {%- for relation, relation_columns in events.items() %}
            select
                customer_id,
                event_date,
                0 as is_at_row,
                {%- for column in columns %}
                    {% if column in relation_columns -%}
                        {{ column }}
                    {%- else -%}
                        {{ 'null' if column in extremes else '0' }} as {{ column }}
                    {%- endif %}{{ ',' if not loop.last }}
                {%- endfor %}
            from {{ relation }}
            union all
        {%- endfor %}
        select
            customer_id,
            as_of_date,
            1,
            {%- for column in columns %}
                {{ 'null' if column in extremes else '0' }}{{ ',' if not loop.last }}
            {%- endfor %}
        from {{ at_rows }}
    )

    select * from (
        select
            customer_id,
            event_date as as_of_date,
            is_at_row,
            {%- for column in columns %}
                {{ extremes.get(column, 'sum') }}({{ column }}) over customer_line as {{ column }}
                {{- ',' if not loop.last }}
            {%- endfor %}
        from time_line
        window customer_line as (
            partition by customer_id order by event_date, is_at_row rows between unbounded preceding and current row
        )
    ) as running_sums
    where is_at_row = 1
{%- endmacro -%}
