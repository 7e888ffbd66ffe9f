{#
    JSON handling for the export's order_items column, one dispatched macro per operation so that the
    models stay the same on every warehouse. PostgreSQL implementations use jsonb, DuckDB ones its json
    extension (built into DuckDB's Python package: nothing is downloaded).
#}

{# Text -> JSON value, NULL when the text is not valid JSON. #}
{%- macro parse_json(text_column) -%}
    {{ return(adapter.dispatch('parse_json', 'orders_warehouse')(text_column)) }}
{%- endmacro -%}

{%- macro postgres__parse_json(text_column) -%}
    {{ try_cast(text_column, 'jsonb') }}
{%- endmacro -%}

{%- macro duckdb__parse_json(text_column) -%}
    try_cast({{ text_column }} as json)
{%- endmacro -%}

{# The JSON type name of a value: 'array', 'object', 'string', 'number', 'boolean' or 'null'. #}
{%- macro json_type(json_column) -%}
    {{ return(adapter.dispatch('json_type', 'orders_warehouse')(json_column)) }}
{%- endmacro -%}

{%- macro postgres__json_type(json_column) -%}
    jsonb_typeof({{ json_column }})
{%- endmacro -%}

{#- DuckDB names the types ARRAY, OBJECT, VARCHAR, BIGINT, UBIGINT, DOUBLE, BOOLEAN and NULL. #}
{%- macro duckdb__json_type(json_column) -%}
    case json_type({{ json_column }})
        when 'ARRAY' then 'array'
        when 'OBJECT' then 'object'
        when 'VARCHAR' then 'string'
        when 'BOOLEAN' then 'boolean'
        when 'NULL' then 'null'
        else 'number'
    end
{%- endmacro -%}

{# Number of elements of a JSON array. #}
{%- macro json_array_length(json_column) -%}
    {{ return(adapter.dispatch('json_array_length', 'orders_warehouse')(json_column)) }}
{%- endmacro -%}

{%- macro postgres__json_array_length(json_column) -%}
    jsonb_array_length({{ json_column }})
{%- endmacro -%}

{%- macro duckdb__json_array_length(json_column) -%}
    json_array_length({{ json_column }})
{%- endmacro -%}

{# A member of a JSON object as text (JSON strings unquoted, numbers as written), NULL when absent. #}
{%- macro json_member_text(json_column, member) -%}
    {{ return(adapter.dispatch('json_member_text', 'orders_warehouse')(json_column, member)) }}
{%- endmacro -%}

{%- macro postgres__json_member_text(json_column, member) -%}
    ({{ json_column }} ->> '{{ member }}')
{%- endmacro -%}

{#- JSON null gives SQL NULL, as PostgreSQL's ->> does. #}
{%- macro duckdb__json_member_text(json_column, member) -%}
    json_extract_string({{ json_column }}, '$."{{ member }}"')
{%- endmacro -%}

{# A member of a JSON object as a JSON value (to ask its type), NULL when absent. #}
{%- macro json_member(json_column, member) -%}
    {{ return(adapter.dispatch('json_member', 'orders_warehouse')(json_column, member)) }}
{%- endmacro -%}

{%- macro postgres__json_member(json_column, member) -%}
    ({{ json_column }} -> '{{ member }}')
{%- endmacro -%}

{%- macro duckdb__json_member(json_column, member) -%}
    json_extract({{ json_column }}, '$."{{ member }}"')
{%- endmacro -%}

{#
    A FROM-clause fragment that turns each row of `relation_alias` into one row per element of its JSON
    array column, exposing `<element_alias>.element` and `<element_alias>.position` (1-based).
#}
{%- macro unnest_json_array(relation_alias, json_column, element_alias) -%}
    {{ return(adapter.dispatch('unnest_json_array', 'orders_warehouse')(relation_alias, json_column, element_alias)) }}
{%- endmacro -%}

{%- macro postgres__unnest_json_array(relation_alias, json_column, element_alias) -%}
    cross join lateral
        jsonb_array_elements({{ relation_alias }}.{{ json_column }})
        with ordinality as {{ element_alias }} (element, position)
{%- endmacro -%}

{#- Only arrays are unnested (a row whose JSON is not an array gets no element, as its filter expects). #}
{%- macro duckdb__unnest_json_array(relation_alias, json_column, element_alias) -%}
    cross join lateral unnest(
        case
            when json_type({{ relation_alias }}.{{ json_column }}) = 'ARRAY'
                then cast({{ relation_alias }}.{{ json_column }} as json[])
        end
    ) with ordinality as {{ element_alias }} (element, position)
{%- endmacro -%}
