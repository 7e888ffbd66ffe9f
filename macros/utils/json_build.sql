{#
    Building JSON, for the One Big Table's nested order lines: an object from (key, expression) pairs, and the
    array of such objects over a group's rows, ordered. PostgreSQL builds jsonb, DuckDB its json type, Spark
    (no JSON type) the JSON text.
#}
{%- macro json_build_object(key_value_pairs) -%}
    {{ return(adapter.dispatch('json_build_object', 'orders_warehouse')(key_value_pairs)) }}
{%- endmacro -%}

{%- macro default__json_build_object(key_value_pairs) -%}
    jsonb_build_object(
        {%- for key, value in key_value_pairs %}
        '{{ key }}', {{ value }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    )
{%- endmacro -%}

{%- macro duckdb__json_build_object(key_value_pairs) -%}
    json_object(
        {%- for key, value in key_value_pairs %}
        '{{ key }}', {{ value }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    )
{%- endmacro -%}

{#- Spark: a struct written as JSON, its NULL members kept (to_json drops them by default; PostgreSQL keeps them). #}
{%- macro spark__json_build_object(key_value_pairs) -%}
    to_json(
        named_struct(
            {%- for key, value in key_value_pairs %}
            '{{ key }}', {{ value }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        ),
        map('ignoreNullFields', 'false')
    )
{%- endmacro -%}

{%- macro json_array_agg(json_expression, order_by) -%}
    {{ return(adapter.dispatch('json_array_agg', 'orders_warehouse')(json_expression, order_by)) }}
{%- endmacro -%}

{%- macro default__json_array_agg(json_expression, order_by) -%}
    jsonb_agg({{ json_expression }} order by {{ order_by }})
{%- endmacro -%}

{%- macro duckdb__json_array_agg(json_expression, order_by) -%}
    to_json(list({{ json_expression }} order by {{ order_by }}))
{%- endmacro -%}

{#-
    Spark: the elements' JSON texts collected with their sort key, sorted by it (then by the text, for ties) and
    joined into one array's text. collect_list keeps no order of its own.
#}
{%- macro spark__json_array_agg(json_expression, order_by) -%}
    concat(
        '[',
        array_join(
            transform(
                array_sort(collect_list(named_struct('sort_key', {{ order_by }}, 'element', {{ json_expression }}))),
                sorted_element -> sorted_element.element
            ),
            ','
        ),
        ']'
    )
{%- endmacro -%}
