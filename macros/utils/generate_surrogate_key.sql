{# dbt-utils' semantics, so that its generate_surrogate_key gives byte-identical keys. #}
{%- macro generate_surrogate_key(field_list) -%}
    {{ return(adapter.dispatch('generate_surrogate_key', 'orders_warehouse')(field_list)) }}
{%- endmacro -%}

{%- macro default__generate_surrogate_key(field_list) -%}
    {%- set null_sentinel = "'_dbt_utils_surrogate_key_null_'" -%}
    {%- set fields = [] -%}
    {%- for field in field_list -%}
        {%- do fields.append(
            "coalesce(cast(" ~ field ~ " as " ~ dbt.type_string() ~ "), " ~ null_sentinel ~ ")"
        ) -%}
        {%- if not loop.last -%}
            {%- do fields.append("'-'") -%}
        {%- endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(fields)) }}
{%- endmacro -%}
