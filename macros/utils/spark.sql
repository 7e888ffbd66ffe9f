{#
    What the Spark target (dbt-spark on the project's local Thrift server, parquet tables) does differently,
    beside the dispatched macros of each rule. See docs/engines.md.
#}

{#-
    Incremental models on Spark. Parquet tables have no MERGE and no DELETE (both need Delta, which cannot be
    installed offline), so the delete+insert and merge strategies do not exist there: the models use
    insert_overwrite, and is_incremental() is false on Spark, so every build computes each model whole and
    overwrites its table in one statement, which gives exactly the tables of a full build. The insert-only
    models (append: the vault) keep their strategy and build incrementally, as elsewhere.
#}
{%- macro target_incremental_strategy(strategy) -%}
    {{ return('insert_overwrite' if target.type == 'spark' else strategy) }}
{%- endmacro -%}

{#-
    dbt's is_incremental(), false on Spark (see target_incremental_strategy) for every model but the insert-only
    ones (the vault: the append strategy, which parquet tables have): those build incrementally there too.
#}
{%- macro is_incremental() -%}
    {%- if target.type == 'spark' and config.get('incremental_strategy') != 'append' -%}
        {{ return(false) }}
    {%- endif -%}
    {{ return(dbt.is_incremental()) }}
{%- endmacro -%}

{#-
    Grants on Spark: open-source Spark has no SHOW GRANTS nor GRANT (the Thrift server has no users), so the
    models' grants configs are skipped there; PostgreSQL applies them.
#}
{%- macro spark__apply_grants(relation, grant_config, should_revoke=true) -%}
{%- endmacro -%}
