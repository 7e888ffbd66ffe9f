{#
    The order states the export contract knows, normalized to lowercase snake_case.
    Any other status is kept as 'unknown' (and reported by a warning test on stg_orders_export__orders).
    Revenue counts every order except cancelled ones (see is_revenue_order_status).
#}
{%- macro accepted_order_statuses() -%}
    {{ return([
        'placed', 'in_process', 'on_hold', 'shipped', 'resolved', 'disputed', 'cancelled', 'returned'
    ]) }}
{%- endmacro -%}

{%- macro is_revenue_order_status(status_column) -%}
    ({{ status_column }} != 'cancelled')
{%- endmacro -%}

{# The largest quantity a single order line may carry; larger ones are quarantined as out of range. #}
{%- macro max_line_quantity() -%}1000000{%- endmacro -%}

{#
    The longest id (submission_id, order_id, customer_id, store_id) or sku the warehouse accepts, in characters.
    Ids and skus are keys: tables index them, and an index entry cannot hold more than about 2.7 kB. A longer
    one is quarantined as oversized_value (and set to NULL in the base models, so that they stay indexable).
#}
{%- macro max_id_length() -%}255{%- endmacro -%}

{#
    The text of an id, trimmed; NULL when empty or longer than max_id_length(). The one normalization of business
    keys (order, customer and store ids, skus): case is kept, as the export contract does not fold it.
#}
{%- macro clean_id(column) -%}
    case when {{ dbt.length(clean_text(column)) }} <= {{ max_id_length() }} then {{ clean_text(column) }} end
{%- endmacro -%}

{# True when any of the columns holds an id longer than max_id_length() once trimmed. #}
{%- macro has_oversized_id(columns) -%}
    ({% for column in columns -%}
        coalesce({{ dbt.length(clean_text(column)) }} > {{ max_id_length() }}, false)
        {%- if not loop.last %} or {% endif %}
    {%- endfor %})
{%- endmacro -%}
