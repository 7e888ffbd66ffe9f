{#
    Building JSON, for the One Big Table's nested order lines: an object from (key, expression) pairs, and the
    array of such objects over a group's rows, ordered. PostgreSQL builds jsonb, DuckDB its json type.
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

{%- macro json_array_agg(json_expression, order_by) -%}
    {{ return(adapter.dispatch('json_array_agg', 'orders_warehouse')(json_expression, order_by)) }}
{%- endmacro -%}

{%- macro default__json_array_agg(json_expression, order_by) -%}
    jsonb_agg({{ json_expression }} order by {{ order_by }})
{%- endmacro -%}

{%- macro duckdb__json_array_agg(json_expression, order_by) -%}
    to_json(list({{ json_expression }} order by {{ order_by }}))
{%- endmacro -%}
