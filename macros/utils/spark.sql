{#
    What the Spark target (dbt-spark on the project's local Thrift server, parquet tables) does differently,
    beside the dispatched macros of each rule. See the README, "Scaling out".
#}

{#-
    Incremental models on Spark. Parquet tables have no MERGE and no DELETE (both need Delta, which cannot be
    installed offline), so the delete+insert and merge strategies do not exist there: the models use
    insert_overwrite, and is_incremental() is false on Spark, so every build computes each model whole and
    overwrites its table in one statement, which gives exactly the tables of a full build.
#}
{%- macro target_incremental_strategy(strategy) -%}
    {{ return('insert_overwrite' if target.type == 'spark' else strategy) }}
{%- endmacro -%}

{#- dbt's is_incremental(), false on Spark (see target_incremental_strategy). #}
{%- macro is_incremental() -%}
    {%- if target.type == 'spark' -%}
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
