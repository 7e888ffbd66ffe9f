{%- macro accepted_order_statuses() -%}
    {{ return([
        'placed', 'in_process', 'on_hold', 'shipped', 'resolved', 'disputed', 'cancelled', 'returned'
    ]) }}
{%- endmacro -%}

{%- macro is_revenue_order_status(status_column) -%}
    ({{ status_column }} != 'cancelled')
{%- endmacro -%}

{%- macro max_line_quantity() -%}1000000{%- endmacro -%}

{# Ids are indexed keys, and an index entry cannot hold more than about 2.7 kB. #}
{%- macro max_id_length() -%}255{%- endmacro -%}

{%- macro clean_id(column) -%}
    case when {{ dbt.length(clean_text(column)) }} <= {{ max_id_length() }} then {{ clean_text(column) }} end
{%- endmacro -%}

{%- macro has_oversized_id(columns) -%}
    ({% for column in columns -%}
        coalesce({{ dbt.length(clean_text(column)) }} > {{ max_id_length() }}, false)
        {%- if not loop.last %} or {% endif %}
    {%- endfor %})
{%- endmacro -%}
