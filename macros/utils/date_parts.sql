{#-
    extract(<part> from <date>) with PostgreSQL's names of the ISO parts: isodow (Monday 1 to Sunday 7) and
    isoyear (the ISO 8601 week-numbering year). Spark names them dayofweek_iso and yearofweek.
#}
{%- macro extract_date_part(part, column) -%}
    {{ return(adapter.dispatch('extract_date_part', 'orders_warehouse')(part, column)) }}
{%- endmacro -%}

{%- macro default__extract_date_part(part, column) -%}
    extract({{ part }} from {{ column }})
{%- endmacro -%}

{%- macro spark__extract_date_part(part, column) -%}
    {%- set spark_parts = {'isodow': 'dayofweek_iso', 'isoyear': 'yearofweek'} -%}
    extract({{ spark_parts.get(part, part) }} from {{ column }})
{%- endmacro -%}
