/**
 * Jupyter widgets from TypeScript: the models of ipywidgets 8 over the widget messaging
 * protocol 2.1, rendered by JupyterLab's widget manager (`@jupyter-widgets/jupyterlab-manager`).
 *
 * ```ts
 * const lr = new widgets.FloatLogSlider({ value: 0.1, min: -3, max: 0, description: "lr" });
 * const out = new widgets.Output();
 * lr.observe(({ new: v }) => out.capture(() => { out.clearOutput({ wait: true }); display(train(v)); }), "value");
 * display(new widgets.VBox([lr, out]));
 * ```
 */
export { Widget, WidgetError, liveWidgets, PROTOCOL_VERSION, WIDGET_VIEW_MIME } from "./widget";
export type { Change, Observer, State } from "./widget";
export {
  Layout, Style, DOMWidget, FloatSlider, IntSlider, FloatLogSlider, FloatProgress, Play, Dropdown, ToggleButtons,
  Checkbox, Button, ToggleButton, Text, Label, HTML, HBox, VBox, GridBox, Link, jslink, jsdlink, link, dlink,
} from "./controls";
export type {
  LayoutOptions, DOMWidgetOptions, DescriptionOptions, SliderOptions, FloatLogSliderOptions, FloatProgressOptions, PlayOptions,
  SelectionOptions, ToggleButtonsOptions, CheckboxOptions, ButtonOptions, ToggleButtonOptions, TextOptions, LabelOptions, BoxOptions, OptionList,
} from "./controls";
export { Output } from "./output";
export { interact, interactive, Interactive, widgetFrom } from "./interact";
export type { Abbreviation, InteractOptions, Values, ValueOf } from "./interact";
export { setWidgetHost, getWidgetHost } from "./host";
export type { WidgetHost, HostComm, CaptureSink } from "./host";
export { Playground, PLAYGROUND_DATASETS, PLAYGROUND_ACTIVATIONS } from "./playground";
export type { PlaygroundOptions, PlaygroundDataset, PlaygroundActivation } from "./playground";
