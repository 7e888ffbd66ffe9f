{#
    try_cast(field, type): cast text to a type, or NULL when the text is not a valid value of that type.
    Cleaning raw exports needs this to tell "unparseable" from "present": a malformed value must become
    a named quarantine reason, not a failed build.

    Warehouses with a native safe cast (DuckDB, Spark, Snowflake, BigQuery) get it from dbt-core's
    dbt.safe_cast. PostgreSQL has none before version 16, so the project creates small PL/pgSQL functions
    (see create_try_cast_functions, run at the start of every dbt invocation) and calls them here.
#}
{%- macro try_cast(field, type) -%}
    {{ return(adapter.dispatch('try_cast', 'orders_warehouse')(field, type)) }}
{%- endmacro -%}

{%- macro default__try_cast(field, type) -%}
    {{ dbt.safe_cast(field, type) }}
{%- endmacro -%}

{%- macro postgres__try_cast(field, type) -%}
    {%- set function_types = try_cast_function_types() -%}
    {%- set type_key = type | lower | trim -%}
    {%- if type_key not in function_types -%}
        {{ exceptions.raise_compiler_error(
            "try_cast has no PostgreSQL function for type '" ~ type ~ "'; add it to try_cast_function_types()"
        ) }}
    {%- endif -%}
    {{ try_cast_schema() }}.try_cast_{{ function_types[type_key] }}({{ field }})
{%- endmacro -%}

{# The types try_cast supports on PostgreSQL, and the suffix of each function's name. #}
{%- macro try_cast_function_types() -%}
    {{ return({
        'numeric': 'numeric',
        'integer': 'integer',
        'bigint': 'bigint',
        'date': 'date',
        'timestamp': 'timestamp',
        'timestamptz': 'timestamptz',
        'jsonb': 'jsonb',
    }) }}
{%- endmacro -%}

{%- macro try_cast_schema() -%}staging{%- endmacro -%}

{#
    Creates (or replaces) one function per type: try_cast_<type>(text) returns <type>, NULL when the
    cast fails. Called by on-run-start; a no-op on warehouses that have a native safe cast.
#}
{%- macro create_try_cast_functions() -%}
    {{ return(adapter.dispatch('create_try_cast_functions', 'orders_warehouse')()) }}
{%- endmacro -%}

{%- macro default__create_try_cast_functions() -%}
    select 1
{%- endmacro -%}

{%- macro postgres__create_try_cast_functions() -%}
    create schema if not exists {{ try_cast_schema() }};
    {% for type_name, suffix in try_cast_function_types().items() %}
    create or replace function {{ try_cast_schema() }}.try_cast_{{ suffix }}(raw_value text)
    returns {{ type_name }}
    language plpgsql stable parallel safe
    as $function$
    begin
        return raw_value::{{ type_name }};
    exception when others then
        return null;
    end;
    $function$;
    {% endfor %}
{%- endmacro -%}
