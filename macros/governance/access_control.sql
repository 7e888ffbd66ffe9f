{# Roles are cluster-wide: creating them tolerates a build of another database creating them at the same moment. #}

{%- macro warehouse_roles() -%}
    {{ return({
        'analyst': ['marts'],
        'data_scientist': ['marts', 'ml'],
        'loader': ['raw'],
    }) }}
{%- endmacro -%}

{%- macro loader_privileges() -%}
    {{ return({
        'raw.orders_export': 'insert',
        'raw.export_files': 'select, insert, update',
    }) }}
{%- endmacro -%}

{%- macro governance_schema() -%}governance{%- endmacro -%}

{%- macro development_pii_hash_key() -%}development-key-not-secret-set-WAREHOUSE_PII_HASH_KEY{%- endmacro -%}

{%- macro setup_access_control() -%}
    {{ return(adapter.dispatch('setup_access_control', 'orders_warehouse')()) }}
{%- endmacro -%}

{%- macro default__setup_access_control() -%}
    select 1
{%- endmacro -%}

{%- macro postgres__setup_access_control() -%}
    {%- set roles = warehouse_roles() -%}
    do $roles$
    declare
        role_name text;
    begin
        foreach role_name in array array[
            {%- for role in roles %}'{{ role }}'{% if not loop.last %}, {% endif %}{% endfor -%}
        ] loop
            if not exists (select from pg_catalog.pg_roles where rolname = role_name) then
                begin
                    execute format('create role %I nologin', role_name);
                exception when duplicate_object or unique_violation then
                    null;  -- created at the same moment by a build of another database on this server
                end;
            end if;
        end loop;
    end
    $roles$;

    {#- The roles use exactly the schemas listed: any other USAGE (granted by hand, say) is revoked. #}
    do $schemas$
    declare
        schema_name text;
    begin
        for schema_name in
            select nspname from pg_catalog.pg_namespace
            where nspname not like 'pg\_%' and nspname not in ('information_schema', 'public')
        loop
            execute format('revoke all on schema %I from {{ roles.keys() | join(', ') }}', schema_name);
        end loop;
    end
    $schemas$;
    {%- for role, schemas in roles.items() %}
        {%- for schema in schemas %}
    create schema if not exists {{ schema }};
    grant usage on schema {{ schema }} to {{ role }};
        {%- endfor %}
    {%- endfor %}

    do $loader$
    begin
        {%- for table, privileges in loader_privileges().items() %}
        if to_regclass('{{ table }}') is not null then
            revoke all on {{ table }} from loader;
            grant {{ privileges }} on {{ table }} to loader;
        end if;
        {%- endfor %}
    end
    $loader$;

    {{ create_pii_hash_function() }}
{%- endmacro -%}

{# The key lives in a table, so compiled SQL, artifacts and logs only ever name the function. #}
{%- macro create_pii_hash_function() -%}
    {%- set schema = governance_schema() -%}
    create schema if not exists {{ schema }};
    revoke all on schema {{ schema }} from public;
    create extension if not exists pgcrypto with schema {{ schema }};

    create table if not exists {{ schema }}.pii_hash_key (
        singleton boolean primary key default true check (singleton),
        hash_key text not null,
        is_development_key boolean not null,
        set_at timestamptz not null default now()
    );
    insert into {{ schema }}.pii_hash_key (hash_key, is_development_key)
    values ('{{ development_pii_hash_key() }}', true)
    on conflict (singleton) do nothing;

    create or replace function {{ schema }}.pii_hash(personal_value text)
    returns text
    language sql
    stable
    parallel safe
    set search_path = pg_catalog, {{ schema }}, public
    as $function$
        select encode(hmac(personal_value, pii_hash_key.hash_key, 'sha256'), 'hex')
        from {{ schema }}.pii_hash_key
    $function$;
    revoke all on function {{ schema }}.pii_hash(text) from public;
{%- endmacro -%}

{%- macro pii_hash(column) -%}
    {{ return(adapter.dispatch('pii_hash', 'orders_warehouse')(column)) }}
{%- endmacro -%}

{%- macro postgres__pii_hash(column) -%}
    {{ governance_schema() }}.pii_hash({{ column }})
{%- endmacro -%}

{#- A single-user file has no place for a key its reader cannot read: a hash would protect nothing. #}
{%- macro duckdb__pii_hash(column) -%}
    cast(null as {{ dbt.type_string() }})
{%- endmacro -%}

{%- macro spark__pii_hash(column) -%}
    cast(null as {{ dbt.type_string() }})
{%- endmacro -%}
