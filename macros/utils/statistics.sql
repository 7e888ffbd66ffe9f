{#
    Post-hook of every table dbt builds (models, snapshots, seeds; set in dbt_project.yml): ANALYZE it, so that the
    nodes that read it later in the same build plan with its statistics. Without them PostgreSQL guessed: on a first
    build a reconciliation test ran for more than 17 minutes before autovacuum analyzed its tables (6 s with
    statistics); on an incremental run it took the rows stamped since the last statistics for one, and a narrowed
    relationships test ran a nested loop over a view. Views have no statistics of their own; other engines plan
    without these (nothing to do).
#}
{%- macro analyze_table() -%}
    {{ return(adapter.dispatch('analyze_table', 'orders_warehouse')()) }}
{%- endmacro -%}

{%- macro default__analyze_table() -%}
{%- endmacro -%}

{%- macro postgres__analyze_table() -%}
    {%- if config.get('materialized') in ['table', 'incremental', 'snapshot', 'seed'] -%}
        analyze {{ this }}
    {%- endif -%}
{%- endmacro -%}
