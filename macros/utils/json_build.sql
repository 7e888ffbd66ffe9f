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

{#- to_json drops NULL members by default; PostgreSQL keeps them. #}
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

{#- collect_list keeps no order of its own. #}
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
