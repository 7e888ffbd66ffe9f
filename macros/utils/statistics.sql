{# So that the nodes reading the table later in the same build plan with its statistics. #}
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
