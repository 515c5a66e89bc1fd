package dev.roundhouse.app;

import java.util.function.Function;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;

/** Read-only table columns from accessor functions; optional per-cell style class (alarm colours). */
public final class Tables {
  private Tables() {}

  public static <T> TableColumn<T, Object> column(String title, Function<T, Object> value) {
    TableColumn<T, Object> c = new TableColumn<>(title);
    c.setCellValueFactory(cd -> new ReadOnlyObjectWrapper<>(value.apply(cd.getValue())));
    return c;
  }

  /** A column whose cells get style class {@code styleClass(row)} (null for none), e.g. "level-alarm". */
  public static <T> TableColumn<T, Object> styled(String title, Function<T, Object> value,
      Function<T, String> styleClass) {
    TableColumn<T, Object> c = column(title, value);
    c.setCellFactory(col -> new TableCell<>() {
      @Override
      protected void updateItem(Object item, boolean empty) {
        super.updateItem(item, empty);
        getStyleClass().removeIf(s -> s.startsWith("level-"));
        if (empty || item == null) {
          setText(null);
          return;
        }
        setText(item.toString());
        T row = getTableRow() == null ? null : getTableRow().getItem();
        String cls = row == null ? null : styleClass.apply(row);
        if (cls != null) {
          getStyleClass().add(cls);
        }
      }
    });
    return c;
  }
}
