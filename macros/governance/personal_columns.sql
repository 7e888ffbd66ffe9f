{# What is personal is said once, in the YAML next to the column; the erasure command reads this register. #}

{%- macro is_personal_column(column) -%}
    {{ return('pii' in (column.tags or []) or (column.meta or {}).get('contains_pii') is true) }}
{%- endmacro -%}

{%- macro personal_columns() -%}
    {%- set found = [] -%}
    {%- for node in graph.nodes.values() | list + graph.sources.values() | list -%}
        {%- set materialized = node.config.materialized if node.config else none -%}
        {%- if node.resource_type in ['model', 'seed', 'snapshot', 'source'] and materialized != 'ephemeral' -%}
            {%- set relation_name = node.identifier if node.resource_type == 'source' else node.alias -%}
            {%- for column in node.columns.values() if is_personal_column(column) -%}
                {%- do found.append((node.schema, relation_name, column.name, node.resource_type)) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(found | unique | sort) }}
{%- endmacro -%}

{%- macro record_personal_columns() -%}
    {{ return(adapter.dispatch('record_personal_columns', 'orders_warehouse')()) }}
{%- endmacro -%}

{#- Spark: erasure is PostgreSQL's (parquet files cannot be updated in place): no register. #}
{%- macro spark__record_personal_columns() -%}
    select 1
{%- endmacro -%}

{%- macro default__record_personal_columns() -%}
    {%- set schema = governance_schema() -%}
    create schema if not exists {{ schema }};
    create table if not exists {{ schema }}.personal_columns (
        table_schema text not null,
        table_name text not null,
        column_name text not null,
        resource_type text not null,
        primary key (table_schema, table_name, column_name)
    );
    delete from {{ schema }}.personal_columns;
    {%- set columns = personal_columns() if execute else [] %}
    {%- if columns %}
    insert into {{ schema }}.personal_columns (table_schema, table_name, column_name, resource_type)
    values
        {%- for column in columns %}
        ({% for part in column %}'{{ part | replace("'", "''") }}'{% if not loop.last %}, {% endif %}{% endfor %})
        {%- if not loop.last %},{% endif %}
        {%- endfor %};
    {%- endif %}
{%- endmacro -%}
