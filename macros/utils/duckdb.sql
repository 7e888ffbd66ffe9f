{#
    What the DuckDB target (dbt-duckdb, one local file) does differently, beside the dispatched macros of each
    rule. See docs/engines.md.
#}

{#-
    The indexes configs on DuckDB: dbt-duckdb's own CREATE INDEX, except that an incremental model which
    rewrites its rows (delete+insert, merge: every strategy but append) gets a plain index where the config asks
    for a unique one. DuckDB cannot delete a key and insert it again in one transaction, which is what an
    incremental run does to every row it recomputes, when an explicit unique index (CREATE UNIQUE INDEX, not a
    PRIMARY KEY constraint) has been read back from the database file: the insert fails with "Duplicate key ...
    violates unique constraint" (a later CREATE UNIQUE INDEX in the same transaction fails at commit too). The
    uniqueness of those keys is checked by the models' unique data tests on every build instead. Tables and the
    insert-only models (the vault: append) keep their unique indexes; PostgreSQL creates every index as configured.
#}
{%- macro duckdb__get_create_index_sql(relation, index_dict) -%}
    {%- set index_config = adapter.parse_index(index_dict) -%}
    {%- set rewrites_rows = config.get('materialized') == 'incremental'
        and config.get('incremental_strategy', 'delete+insert') != 'append' -%}
    {%- set unique = index_config.unique and not rewrites_rows -%}
    create {% if unique %}unique {% endif %}index
    "{{ index_config.render(relation) }}"
    on {{ relation }}
    ({{ ", ".join(index_config.columns) }});
{%- endmacro -%}
