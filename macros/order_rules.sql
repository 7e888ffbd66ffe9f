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
