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

{#-
    DuckDB's try_cast, with the project's type names: numeric is the exact type of exact_numeric_type()
    (DuckDB's own numeric is decimal(18, 3)), jsonb is json, and an offset's Z may be lower case as PostgreSQL
    accepts it.
#}
{%- macro duckdb__try_cast(field, type) -%}
    {%- set type_key = type | lower | trim -%}
    {%- if type_key == 'numeric' -%}
        try_cast({{ field }} as {{ exact_numeric_type() }})
    {%- elif type_key == 'jsonb' -%}
        try_cast({{ field }} as json)
    {%- elif type_key == 'timestamptz' -%}
        try_cast(upper({{ field }}) as timestamptz)
    {%- else -%}
        try_cast({{ field }} as {{ type }})
    {%- endif -%}
{%- endmacro -%}

{#-
    Spark's try_cast (3.2+), with the project's type names: numeric is the exact type (Spark's own numeric is
    decimal(10, 0)), jsonb is JSON text checked by parse_json, timestamptz is Spark's timestamp (an instant;
    an offset's Z may be lower case as PostgreSQL accepts it), text is string.
#}
{%- macro spark__try_cast(field, type) -%}
    {%- set type_key = type | lower | trim -%}
    {%- if type_key == 'numeric' -%}
        try_cast({{ field }} as {{ exact_numeric_type() }})
    {%- elif type_key == 'jsonb' -%}
        {{ parse_json(field) }}
    {%- elif type_key == 'timestamptz' -%}
        try_cast(upper({{ field }}) as timestamp)
    {%- elif type_key == 'text' -%}
        try_cast({{ field }} as string)
    {%- else -%}
        try_cast({{ field }} as {{ type }})
    {%- endif -%}
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
    Creates (or replaces) one function per type: try_cast_<type>(text) returns <type>, NULL when the cast fails.
    Called by on-run-start; a no-op on warehouses that have a native safe cast.

    try_cast_<type> is a SQL function (PostgreSQL inlines it into the calling query): text a pattern proves valid
    is cast directly, only the rest goes to try_cast_<type>_by_exception, whose exception block is correct for any
    text but starts a subtransaction per call (so both are parallel unsafe: no parallel query may start one).
#}
{%- macro create_try_cast_functions() -%}
    {{ return(adapter.dispatch('create_try_cast_functions', 'orders_warehouse')()) }}
{%- endmacro -%}

{%- macro default__create_try_cast_functions() -%}
    select 1
{%- endmacro -%}

{%- macro postgres__create_try_cast_functions() -%}
    {#- A pattern may leave valid text out (it takes the exception block), never let invalid text in. -#}
    {%- set leap_year = '([1-9][0-9]([02468][48]|[13579][26]|[2468]0)|([2468][048]|[13579][26])00)' -%}
    {%- set day -%}
        ([1-9][0-9]{3}-((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31)|{{ leap_year }}-02-29)
    {%- endset -%}
    {%- set clock = '[T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.][0-9]{1,6})?)?' -%}
    {%- set offset = '([Zz]|[+-](0[0-9]|1[0-4])(:?[0-5][0-9])?)' -%}
    {%- set fast_paths = {
        'numeric': "length(raw_value) <= 1000"
            ~ " and raw_value ~ '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,3})?$'",
        'integer': "length(raw_value) <= 9 and raw_value ~ '^[+-]?[0-9]+$'",
        'bigint': "length(raw_value) <= 18 and raw_value ~ '^[+-]?[0-9]+$'",
        'date': "raw_value ~ '^" ~ day ~ "$'",
        'timestamp': "raw_value ~ '^" ~ day ~ "(" ~ clock ~ ")?$'",
        'timestamptz': "raw_value ~ '^" ~ day ~ "(" ~ clock ~ offset ~ "?)?$'",
    } -%}
    create schema if not exists {{ try_cast_schema() }};
    {% for type_name, suffix in try_cast_function_types().items() %}
    create or replace function {{ try_cast_schema() }}.try_cast_{{ suffix }}_by_exception(raw_value text)
    returns {{ type_name }}
    language plpgsql stable strict parallel unsafe
    as $function$
    begin
        return raw_value::{{ type_name }};
    exception when others then
        return null;
    end;
    $function$;

    create or replace function {{ try_cast_schema() }}.try_cast_{{ suffix }}(raw_value text)
    returns {{ type_name }}
    language sql stable parallel unsafe
    as $function$
        select
        {%- if type_name in fast_paths %}
            case
                when {{ fast_paths[type_name] }} then raw_value::{{ type_name }}
                else {{ try_cast_schema() }}.try_cast_{{ suffix }}_by_exception(raw_value)
            end
        {%- else %}
            {{ try_cast_schema() }}.try_cast_{{ suffix }}_by_exception(raw_value)
        {%- endif %}
    $function$;
    {% endfor %}
{%- endmacro -%}
