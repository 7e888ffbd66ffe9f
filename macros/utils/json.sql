{#
    JSON handling for the export's order_items column, one dispatched macro per operation so that the
    models stay the same on every warehouse. PostgreSQL implementations use jsonb, DuckDB ones its json
    extension (built into DuckDB's Python package: nothing is downloaded), Spark ones its JSON functions
    on the text.
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

{#-
    Spark (3.5) has no JSON type: a JSON value is its text, checked once by parse_json (Spark's JSON reader
    stops at the end of the first complete value, so text after it is ignored). Members are read with
    get_json_object, which gives JSON strings unquoted (as PostgreSQL's ->> does), nested values as JSON text
    and numbers re-written from a double (12.50 gives 12.5: the same number).
#}
{%- macro spark__parse_json(text_column) -%}
    case when get_json_object({{ text_column }}, '$') is not null then {{ text_column }} end
{%- endmacro -%}

{#- The type from the value's first character; a member's string value is unquoted text, so only arrays,
    objects and JSON null are told apart reliably there (what the models ask of members). #}
{%- macro spark__json_type(json_column) -%}
    case left(ltrim({{ json_column }}), 1)
        when '[' then 'array'
        when '{' then 'object'
        when '"' then 'string'
        when 't' then 'boolean'
        when 'f' then 'boolean'
        when 'n' then 'null'
        else 'number'
    end
{%- endmacro -%}

{%- macro spark__json_array_length(json_column) -%}
    size(from_json({{ json_column }}, 'array<string>'))
{%- endmacro -%}

{%- macro spark__json_member_text(json_column, member) -%}
    get_json_object({{ json_column }}, '$.{{ member }}')
{%- endmacro -%}

{%- macro spark__json_member(json_column, member) -%}
    get_json_object({{ json_column }}, '$.{{ member }}')
{%- endmacro -%}

{#- A lateral view of the array's elements as JSON text (a JSON null element as the text null) with their
    1-based positions; text that is not an array gives no element. #}
{%- macro spark__unnest_json_array(relation_alias, json_column, element_alias) -%}
    lateral view inline(
        transform(
            from_json({{ relation_alias }}.{{ json_column }}, 'array<string>'),
            (array_element, array_index) -> named_struct(
                'element', coalesce(array_element, 'null'), 'position', array_index + 1
            )
        )
    ) {{ element_alias }} as element, position
{%- endmacro -%}
