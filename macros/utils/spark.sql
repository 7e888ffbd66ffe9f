{#- Parquet tables have no MERGE nor DELETE: every Spark build computes each model whole (docs/engines.md). #}
{%- macro target_incremental_strategy(strategy) -%}
    {{ return('insert_overwrite' if target.type == 'spark' else strategy) }}
{%- endmacro -%}

{%- macro is_incremental() -%}
    {%- if target.type == 'spark' and config.get('incremental_strategy') != 'append' -%}
        {{ return(false) }}
    {%- endif -%}
    {{ return(dbt.is_incremental()) }}
{%- endmacro -%}

{%- macro spark__apply_grants(relation, grant_config, should_revoke=true) -%}
{%- endmacro -%}
